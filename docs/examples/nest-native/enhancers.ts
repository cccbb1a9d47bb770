import {
  Catch,
  Injectable,
  UseFilters,
  UseGuards,
  UseInterceptors,
  UsePipes,
  ValidationPipe,
  type ArgumentsHost,
  type CallHandler,
  type CanActivate,
  type ExceptionFilter,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Logger } from '@nestjs/common';
import { tap, type Observable } from 'rxjs';
import { MessagioContext, MessagioExecutionContext, OnMessagio } from 'nestjs-messagio';
import { OrderPlaced, PaymentGatewayDown } from './messages.js';

// #region interceptor
/** Logs every attempt of every listener it applies to: duration, result or error. */
@Injectable()
export class TimingInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Listeners');

  intercept(host: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!MessagioExecutionContext.is(host)) return next.handle(); // an HTTP request, an RPC...
    const { message, context } = MessagioExecutionContext.of(host);
    const started = performance.now();
    const what = `${context.listener} #${context.attempt} ${message.constructor.name}`;
    return next.handle().pipe(
      tap({
        next: () => this.logger.log(`${what} done in ${(performance.now() - started).toFixed(1)} ms`),
        error: (error: Error) => this.logger.warn(`${what} threw ${error.name} after ${(performance.now() - started).toFixed(1)} ms`),
      }),
    );
  }
}
// #endregion

// #region guard
/** Refuses orders of a tenant that is switched off: the delivery fails for good, without retries. */
@Injectable()
export class ActiveTenantGuard implements CanActivate {
  canActivate(host: ExecutionContext): boolean {
    const { context } = MessagioExecutionContext.of(host);
    return context.headers.tenantId !== 'suspended';
  }
}
// #endregion

// #region filter
/** Swallows one error: the attempt completes (with the filter's value, if any, as its result). */
@Catch(PaymentGatewayDown)
export class ParkPayment implements ExceptionFilter {
  catch(error: PaymentGatewayDown, host: ArgumentsHost): { parked: string } {
    const { message } = MessagioExecutionContext.of<OrderPlaced>(host);
    // ...store the order for a later batch. Returning (even nothing) means handled;
    // throwing hands an error to the retry policy instead.
    return { parked: message.orderId };
  }
}
// #endregion

// #region listener
@Injectable()
@UseInterceptors(TimingInterceptor) // every listener of the class
export class BillingListeners {
  @OnMessagio(OrderPlaced, { id: 'charge', maxRetries: 3 })
  @UseGuards(ActiveTenantGuard)
  @UsePipes(new ValidationPipe({ transform: true })) // validates the message (not the context)
  @UseFilters(ParkPayment)
  async charge(order: OrderPlaced, context: MessagioContext): Promise<void> {
    // ...charge order.amount, idempotently by context.deliveryId
    void order;
    void context;
  }
}
// #endregion
