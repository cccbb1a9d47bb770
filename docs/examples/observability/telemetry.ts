import { BullMQOtel } from 'bullmq-otel';
import { MessagioModule } from 'nestjs-messagio';

declare const connection: { host: string; port: number };

// #region telemetry
MessagioModule.forRoot({ connection, telemetry: new BullMQOtel({ tracerName: 'orders' }) });
// #endregion
