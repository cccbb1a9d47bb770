import { MessagioConfigurationError } from '../errors/messagio-configuration.error.js';
import type { MessagioClass } from '../message/messagio.js';

/**
 * The message classes a listener subscribes to, given as one class or a
 * non-empty array of them (`@OnMessagio`, `MessageCenter.subscribe`); anything
 * else throws `MessagioConfigurationError` with `problem`.
 */
export function messageTypeList(types: MessagioClass | MessagioClass[], problem: string): MessagioClass[] {
  const list = Array.isArray(types) ? types : [types];
  if (list.length === 0 || list.some((t) => typeof t !== 'function')) throw new MessagioConfigurationError(problem);
  return list;
}
