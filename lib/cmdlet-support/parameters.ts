/**
 * Parameter declarations that several cmdlets share, so a parameter reads (and binds) the same in
 * every cmdlet that takes it.
 */
import { MAX_RETRY_LIMIT } from '../session/retry-settings.js';
import type { ParameterDeclaration } from './cmdlet.js';

/** Declared by every cmdlet that calls the API, so `-MaxRetry` reads the same everywhere. */
export const maxRetryParameter = {
  type: 'int',
  range: [0, MAX_RETRY_LIMIT],
  env: 'PARTNERCENTER_MAX_RETRY',
  outputNeutral: true,
  description:
    'How many times one request is retried after throttling (429), a server ' +
    'error (408, 5xx), a dropped connection, a cut-off answer or a timeout, ' +
    'before the command gives up (exit 5). Default 5, or the value saved with ' +
    'the context; PARTNERCENTER_MAX_RETRY_WAIT bounds the total wait of one ' +
    'request in seconds (default 300). -Verbose reports each retry and wait.',
} as const satisfies ParameterDeclaration;

/**
 * What an invoice number must be, for every cmdlet that takes one. The service documents no form
 * for it (its examples: G016907411, D02005YFHI): anything but blank is sent (encoded), and an
 * unknown one is the service's "not found" (exit 4), so that a number Get-PartnerInvoice lists is
 * never refused by the cmdlets it is piped into.
 */
export const invoiceIdPattern = {
  regex: /\S/,
  allowed: 'an invoice number as Get-PartnerInvoice lists it (id), e.g. G016907411',
};

/**
 * The rules of a resume file (lib/cmdlet-support/resume-file-claim.ts enforces them) as every
 * -ResumeFile parameter's help says them. Here, with the declarations, so that a cmdlet's help
 * does not load the claim's lock-file code (and node:crypto) to say them.
 */
export const RESUME_FILE_RULES =
  'One run at a time: a second run on the same file is refused (exit 2) and names the process ' +
  "that has it; a killed run's lock is taken over. Only this command's own resume file, a new " +
  'path or an empty file is accepted: a symlink or any other file is refused and left untouched. ' +
  'The directory must be writable (checked before anything is sent); the file is created 0600.';
