import type { ValidationError } from 'class-validator';
import { MessagioError } from './messagio.error.js';

/** One failing property, flattened from class-validator's nested tree. */
export interface MessagioPropertyViolation {
  /** Dotted path, e.g. `address.zip` or `items.0.sku`. */
  property: string;
  /** Constraint name → message, as class-validator reports them. */
  constraints: Record<string, string>;
}

/**
 * A message failed class-validator validation: at `fire()` (nothing was
 * enqueued) or on the worker before any listener ran (the delivery fails at
 * once, without retries).
 * @publicApi
 */
export class MessagioValidationError extends MessagioError {
  readonly violations: MessagioPropertyViolation[];

  constructor(
    readonly messageType: string,
    errors: ValidationError[],
  ) {
    const violations = flatten(errors);
    const detail = violations
      .map((v) => `${v.property} (${Object.values(v.constraints).join('; ')})`)
      .join(', ');
    super(`Invalid ${messageType}: ${detail || 'validation failed'}`);
    this.violations = violations;
  }

  /** The names of the failing properties, e.g. `['objId', 'address.zip']`. */
  get properties(): string[] {
    return this.violations.map((v) => v.property);
  }
}

function flatten(errors: ValidationError[], prefix = ''): MessagioPropertyViolation[] {
  const out: MessagioPropertyViolation[] = [];
  for (const error of errors) {
    const property = prefix ? `${prefix}.${error.property}` : error.property;
    if (error.constraints && Object.keys(error.constraints).length > 0) {
      out.push({ property, constraints: { ...error.constraints } });
    }
    if (error.children?.length) out.push(...flatten(error.children, property));
  }
  return out;
}
