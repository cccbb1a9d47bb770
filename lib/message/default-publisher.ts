import { MessagioNotInitializedError } from '../errors/messagio-not-initialized.error.js';
import { currentDeliveryPublisher, type FiresMessages } from './messagio-context.js';

// The publisher behind `message.fire()` outside listeners. Several apps in one
// process (tests) stack up; the most recently initialised one that is still
// open wins. Inside a listener, the app running it wins (currentPublisher).
const stack: FiresMessages[] = [];

export function pushDefaultPublisher(publisher: FiresMessages): void {
  stack.push(publisher);
}

export function removeDefaultPublisher(publisher: FiresMessages): void {
  const index = stack.lastIndexOf(publisher);
  if (index >= 0) stack.splice(index, 1);
}

export function currentPublisher(): FiresMessages {
  // A listener fires through its own app: while that app closes, and whichever
  // app was initialised last.
  const publisher = currentDeliveryPublisher() ?? stack[stack.length - 1];
  if (!publisher) throw new MessagioNotInitializedError();
  return publisher;
}
