import { Injectable } from '@nestjs/common';
import { MessagioPriority, OnMessagio } from 'nestjs-messagio';
import { ParcelLost, ParcelSent } from './messages.js';

@Injectable()
export class ShippingListeners {
  @OnMessagio(ParcelSent, { id: 'track', priority: MessagioPriority.HIGH, maxRetries: 2, retryDelay: 100, backoff: 'exponential' })
  track(): void {}

  @OnMessagio([ParcelSent, ParcelLost], { id: 'audit', priority: MessagioPriority.LOW })
  audit(): void {}
}
