/**
 * The JavaScript transport's `rapid-client.node` for aws-lambda-ric 3.x (harness/ricTransport/rapidClient has the
 * why): the module harness/ricTransport/preload hands that client when it requires its native addon.
 */
import { nativeShaped } from './rapidClient';

export const { next, done, error } = nativeShaped(3);
