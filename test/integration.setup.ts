// Integration tests talk to a real broker and database on a shared 2-core machine: allow them time
// (no test asserts on time; benchmarks measure speed).
jest.setTimeout(180_000);
