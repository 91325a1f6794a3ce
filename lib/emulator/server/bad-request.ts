/**
 * The one error the emulator throws on purpose when a request (or a setting a test sends) is wrong:
 * the request handler answers it with a 400. Anything else thrown while serving is the emulator's
 * own bug and is answered with a 500, so a broken emulator is never mistaken for a bad client.
 * It extends TypeError because the programmatic levers (`configure`, `setFaults`) have always
 * thrown TypeError for a bad value, and callers may test for it.
 */
export class BadRequestError extends TypeError {
  override readonly name: string = 'BadRequestError';
}

/** A request body over the limit a route takes: its service answers 413 in its own error body. */
export class BodyTooLargeError extends BadRequestError {
  override readonly name = 'BodyTooLargeError';

  constructor(readonly limitBytes: number) {
    super(`the request body is larger than ${limitBytes} bytes`);
  }
}

/** A body that is not the JSON the route takes: its service answers as it answers unreadable input. */
export class MalformedBodyError extends BadRequestError {
  override readonly name: string = 'MalformedBodyError';
}
