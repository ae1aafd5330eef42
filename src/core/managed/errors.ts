// The start-time configuration errors. ConfigError lives here (config.ts re-exports it) so that the policy
// loader and config.ts do not import each other.

/** Raised at start when the environment is wrong; the message names the variable and what is wrong. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

/** A managed policy file that cannot be used: the start stops, naming the file and the field. */
export class ManagedPolicyError extends ConfigError {
  constructor(
    readonly file: string,
    readonly field: string,
    problem: string,
  ) {
    super(field, problem);
    this.message = `Invalid managed policy ${file}: ${field}: ${problem}`;
  }
}
