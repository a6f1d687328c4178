/**
 * Sample data: a deterministic synthetic event stream with every hard case of the example policy,
 * and a publisher that produces it to the topics as the source systems would. Used by the main job,
 * `govern generate`, the benchmarks and the tests.
 */
export { generateEventStream } from './event-stream.generator';
export { publishLines, routeLine, sampleChunks, type TopicMessages } from './sample.publisher';
