import { MessagioModule } from 'nestjs-messagio';
import { TimeoutError } from './messages.js';

// #region defaults
MessagioModule.forRoot({
  connection: { host: 'localhost', port: 6379 },
  // Under every listener's own options.
  defaultListenerOptions: { retryOn: [TimeoutError], maxRetries: 2, retryDelay: 1000 },
});
// #endregion
