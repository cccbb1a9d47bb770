/**
 * The environment variable that boots an app to read its contracts, not to
 * run it: with `MESSAGIO_CONTRACTS_ONLY=1` the module takes the memory
 * transport and consumes nothing, whatever its options say, so the app needs
 * no Redis and never takes a job. The `nestjs-messagio contracts` CLI sets
 * it before it loads the app; a script of yours can too.
 */
export const CONTRACTS_ONLY_ENV = 'MESSAGIO_CONTRACTS_ONLY';

/** True when this process boots apps for their contracts only (read where the transport is chosen, at bootstrap). */
export function bootsForContractsOnly(): boolean {
  return process.env[CONTRACTS_ONLY_ENV] === '1';
}
