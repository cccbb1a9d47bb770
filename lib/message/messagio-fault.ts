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
 * outside `retryOn`, an invalid payload or undeliverable data), like
 * MassTransit's `Fault<T>`. Handle it with `@OnMessagio(MessagioFault)`. It
 * carries the failed message's traceId, and its id as causationId. A failing
 * fault listener produces no further fault.
 *
 * For data that could not be read as an envelope, the fields are what could be
 * read (from the data, else from the stored id `messageId|listener` and name;
 * `''` when nothing says), `traceId` is a new one when the data has none,
 * `payload` is `{}` and `raw` holds the data.
 * @publicApi
 */
@MessagioType('messagio.fault', { version: 1 })
export class MessagioFault extends Messagio {
  /** Wire name of the message whose delivery failed. */
  @IsString() type!: string;
  /** Version of that message's type the payload was stored at, when not 1 (the envelope's `typeVersion`). */
  @IsOptional() @IsInt() typeVersion?: number;
  @IsString() messageId!: string;
  @IsString() traceId!: string;
  /** Listener whose delivery failed. */
  @IsString() listener!: string;
  /** Attempts made. */
  @IsInt() attempts!: number;
  /** The error; a stack that would make the fault larger than `maxPayloadBytes` is cut, with a marker. */
  @IsObject() error!: MessagioFaultError;
  /**
   * The failed message's payload, as stored (plain JSON). `{ truncated: true, bytes }`
   * instead when it would make the fault larger than `maxPayloadBytes`; `{}`
   * when the data could not be read (see `raw`).
   */
  @IsObject() payload!: Record<string, unknown>;
  /** True when the delivery could never succeed (invalid payload, undeliverable data, unknown type or listener). */
  @IsOptional() poison?: boolean;
  /** Id of the failed delivery as stored: `messageId|listener`, or the job id of data that could not be read. */
  @IsOptional() @IsString() deliveryId?: string;
  /** Data that could not be read as an envelope, as JSON, cut after 2,048 characters (with a marker). */
  @IsOptional() @IsString() raw?: string;

  constructor(fields: Omit<MessagioFault, 'fire'>) {
    super();
    Object.assign(this, fields);
  }
}

export const FAULT_TYPE = 'messagio.fault';
