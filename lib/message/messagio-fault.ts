import { IsInt, IsObject, IsOptional, IsString } from 'class-validator';
import { Messagio } from './messagio.js';
import { MessagioType } from './messagio-type.decorator.js';

/** The error of a failed delivery, as plain data. */
export interface MessagioFaultError {
  name: string;
  message: string;
  stack?: string;
}

/**
 * Fired by the library when a delivery fails for good (retries spent, an error
 * outside `retryOn`, or an undeliverable payload), like MassTransit's
 * `Fault<T>`. Handle it with `@OnMessagio(MessagioFault)`. It carries the
 * failed message's traceId, and its id as causationId. A failing fault
 * listener produces no further fault.
 * @publicApi
 */
@MessagioType('messagio.fault')
export class MessagioFault extends Messagio {
  /** Wire name of the message whose delivery failed. */
  @IsString() type!: string;
  @IsString() messageId!: string;
  @IsString() traceId!: string;
  /** Listener whose delivery failed. */
  @IsString() listener!: string;
  /** Attempts made. */
  @IsInt() attempts!: number;
  @IsObject() error!: MessagioFaultError;
  /** The failed message's payload, as stored (plain JSON). */
  @IsObject() payload!: Record<string, unknown>;
  /** True when the delivery could never succeed (invalid payload, unknown type or listener). */
  @IsOptional() poison?: boolean;

  constructor(fields: Omit<MessagioFault, 'fire'>) {
    super();
    Object.assign(this, fields);
  }
}

export const FAULT_TYPE = 'messagio.fault';
