/**
 * What Entra ID last answered with an error during one sign-in. MSAL does not always pass Entra's
 * answer on: when the device-code endpoint refuses a client (AADSTS700016), MSAL reads no error
 * from it, hands the prompt callback a code of `undefined` and later fails with a bare
 * "post_request_failed". Reading the answers off the credential's own HTTP pipeline gives every
 * flow's AADSTS code to the sign-in error, whatever MSAL keeps of it.
 */

/** The fields of Entra's OAuth error body that MSAL libraries parse. */
export interface EntraAnswer {
  error: string;
  errorDescription: string;
  errorCodes: number[];
}

/** Polling answers of the device-code flow, not failures. */
const NOT_FAILURES = new Set(['authorization_pending', 'slow_down']);

/**
 * A pipeline policy in @azure/core-rest-pipeline's shape, declared here so this module needs no
 * import of it (the credential takes it through `additionalPolicies`).
 */
interface PipelineResponse {
  status: number;
  bodyAsText?: string | null;
}
interface AnswerPolicy {
  name: string;
  sendRequest<Request, Response extends PipelineResponse>(
    request: Request,
    next: (request: Request) => Promise<Response>,
  ): Promise<Response>;
}

export class EntraAnswerLog {
  last?: EntraAnswer;

  /** Give to the credential as `additionalPolicies: [{ policy, position: 'perCall' }]`. */
  readonly policy: AnswerPolicy = {
    name: 'entraAnswerLog',
    sendRequest: async <Request, Response extends PipelineResponse>(
      request: Request,
      next: (request: Request) => Promise<Response>,
    ): Promise<Response> => {
      const response = await next(request);
      if (response.status >= 400) this.note(response.bodyAsText);
      return response;
    },
  };

  private note(text: string | null | undefined): void {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text ?? '') as Record<string, unknown>;
    } catch {
      return;
    }
    if (typeof body?.error !== 'string' || NOT_FAILURES.has(body.error)) return;
    this.last = {
      error: body.error,
      errorDescription: typeof body.error_description === 'string' ? body.error_description : '',
      errorCodes: Array.isArray(body.error_codes) ? body.error_codes.map(Number) : [],
    };
  }

  /** Entra's last refusal as one text (AADSTS code first), for the sign-in error. */
  describe(): string | undefined {
    if (!this.last) return undefined;
    const { errorDescription, errorCodes, error } = this.last;
    if (/AADSTS\d+/.test(errorDescription)) return errorDescription;
    return errorCodes.length > 0 ? `AADSTS${errorCodes[0]}: ${error}` : error;
  }
}
