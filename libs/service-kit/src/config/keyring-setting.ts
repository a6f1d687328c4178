import { ValidateBy, type ValidationArguments } from 'class-validator';
import {
  type KeyringProblem,
  keyringWeaknesses,
  parsePseudonymKeyring,
  PSEUDONYM_KEYS_VARIABLE,
} from '@app/stream';

/** The settings a service that makes pseudonyms holds: the keyring and demo mode. */
export interface KeyringSettings {
  GOVERN_PSEUDONYM_KEYS?: string;
  GOVERN_PSEUDONYM_ACTIVE_KEY?: string;
  GOVERN_DEMO_MODE: string;
}

/**
 * Everything wrong with the keyring settings of a service that writes pseudonyms (the engine, the
 * consent ledger): a keyring is required and must be strong, except in demo mode.
 */
export function keyringSettingProblems(s: KeyringSettings): KeyringProblem[] {
  const demo = s.GOVERN_DEMO_MODE === 'true';
  const { keyring, problems } = parsePseudonymKeyring(s.GOVERN_PSEUDONYM_KEYS, s.GOVERN_PSEUDONYM_ACTIVE_KEY);
  if (keyring === null && problems.length === 0 && !demo)
    return [
      {
        variable: PSEUDONYM_KEYS_VARIABLE,
        problem: 'required: a keyring of secret keys (or GOVERN_DEMO_MODE=true for a demo)',
      },
    ];
  return keyring === null || demo ? problems : keyringWeaknesses(keyring);
}

/**
 * Validates one of the two keyring variables: the problems of the keyring settings that this
 * variable fixes, each named, never a value.
 */
export function KeyringSetting(variable: KeyringProblem['variable']): PropertyDecorator {
  const mine = (args?: ValidationArguments): string[] =>
    keyringSettingProblems(args?.object as KeyringSettings)
      .filter((p) => p.variable === variable)
      .map((p) => p.problem);
  return ValidateBy({
    name: 'pseudonymKeyring',
    validator: {
      validate: (_: unknown, args?: ValidationArguments) => mine(args).length === 0,
      defaultMessage: (args?: ValidationArguments) => mine(args).join('; '),
    },
  });
}
