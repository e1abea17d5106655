/**
 * The named errors of the reproduction harness. Each message says what happened, where, and what to
 * do next, so the CLI can print `error.message` as is.
 */

/** A reproduction definition is malformed (thrown by `defineReproduction`). */
export class ReproductionDefinitionError extends Error {
  constructor(
    readonly id: string,
    readonly problems: string[],
  ) {
    super(`reproduction '${id}' is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ReproductionDefinitionError';
  }
}

/** A `--set key=value` override names an unknown key or a value of the wrong type. */
export class ConfigOverrideError extends Error {
  constructor(
    message: string,
    readonly key?: string,
    readonly suggestion?: string,
  ) {
    super(message);
    this.name = 'ConfigOverrideError';
  }
}

/** The training loss became NaN or ±Infinity; the run stopped at `step`. */
export class NonFiniteLossError extends Error {
  constructor(
    readonly step: number,
    readonly epoch: number,
    readonly value: number,
    lastCheckpointEpoch: number | null,
    /** The quantity that became non-finite ('training loss', 'loss/discriminator', …). */
    readonly quantity = 'training loss',
  ) {
    const kept = lastCheckpointEpoch == null ? 'no checkpoint was written' : `the last checkpoint (epoch ${lastCheckpointEpoch}) is kept`;
    super(
      `${quantity} became ${value} at step ${step} (epoch ${epoch + 1}); the run stopped there and ${kept}. ` +
        'Lower the learning rate, check the inputs for NaN, or check the loss for log(0).',
    );
    this.name = 'NonFiniteLossError';
  }
}

/** The run was interrupted (SIGINT / AbortSignal); a checkpoint was saved when `checkpointSaved`. */
export class RunAbortedError extends Error {
  constructor(
    readonly epoch: number,
    readonly step: number,
    readonly checkpointSaved: boolean,
  ) {
    super(
      checkpointSaved
        ? `run interrupted at step ${step} (epoch ${epoch + 1}); a checkpoint was saved — rerun with --resume to continue exactly from there`
        : `run interrupted at step ${step} (epoch ${epoch + 1}); no checkpoint was saved`,
    );
    this.name = 'RunAbortedError';
  }
}

/** A checkpoint cannot be used to resume this run (another config, seed, model shape or a damaged file). */
export class CheckpointMismatchError extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`cannot resume from ${path}: ${reason}. Delete the checkpoint folder or run without --resume to start over.`);
    this.name = 'CheckpointMismatchError';
  }
}

/** A result.json does not match the result schema. */
export class ResultValidationError extends Error {
  constructor(
    readonly path: string,
    details: string,
  ) {
    super(`${path} is not a valid paperzoo result:\n${details}`);
    this.name = 'ResultValidationError';
  }
}

/** No reproduction has the asked-for id. */
export class UnknownReproductionError extends Error {
  constructor(
    readonly id: string,
    readonly suggestion: string | undefined,
    known: string[],
  ) {
    super(
      `no reproduction with id '${id}'` +
        (suggestion ? ` — did you mean '${suggestion}'?` : '') +
        (known.length ? ` (known: ${known.join(', ')})` : ' (no reproductions found under apps/*/*/reproduction.ts)'),
    );
    this.name = 'UnknownReproductionError';
  }
}

/** Another live process is running the same reproduction, tier, seed, config and backend. */
export class RunLockedError extends Error {
  constructor(
    readonly lockFile: string,
    readonly pid: number,
    readonly what: string,
    readonly since: string,
    readonly otherHost?: string,
  ) {
    super(
      `${what} is already running in another process (pid ${pid}${otherHost ? ` on ${otherHost}` : ''}, since ${since}); its lock is ${lockFile}. ` +
        'Wait for it to finish or stop it' +
        (otherHost ? '' : ` (kill ${pid})`) +
        ', or run with another --seed or --set to run beside it. If no such run is going on, delete the lock file.',
    );
    this.name = 'RunLockedError';
  }
}
