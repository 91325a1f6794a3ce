/**
 * The one error the emulator throws on purpose when a request (or a setting a test sends) is wrong:
 * the request handler answers it with a 400. Anything else thrown while serving is the emulator's
 * own bug and is answered with a 500, so a broken emulator is never mistaken for a bad client.
 * It extends TypeError because the programmatic levers (`configure`, `setFaults`) have always
 * thrown TypeError for a bad value, and callers may test for it.
 */
export class BadRequestError extends TypeError {
  override readonly name = 'BadRequestError';
}
