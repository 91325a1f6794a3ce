/**
 * What a Node caller may give a cmdlet that changes things besides its own parameters: -WhatIf,
 * -Confirm and -Force of the command line (lib/host/confirm.ts). Declarations only, with no import,
 * so the published types (the typed functions, `invoke`) can name it without reaching Node's.
 */
export interface InProcessShouldProcessParameters {
  /** Nothing is changed: each change is described to `onMessage` ("What if: ..."). */
  WhatIf?: boolean;
  /** true: every change is put to `onConfirm` first; false: none is, whatever the preference. */
  Confirm?: boolean;
  /** Changes are made without asking (unless Confirm is true). */
  Force?: boolean;
}
