/**
 * PowerShell-style SYNTAX lines, one per parameter set, from the same declaration the binder reads:
 * `Get-PartnerCustomer [[-CustomerId] <Guid>] [-PageSize <Int32>] [-Force] [<CommonParameters>]`.
 */
import type { CmdletDefinition, ParameterDeclaration } from '../../cmdlet-support/cmdlet.js';
import { belongsToSet, isMandatoryIn, parameterSetNames } from '../parameter-sets.js';
import { typeNames } from '../parameter-values.js';

export function syntaxLines(definition: CmdletDefinition<any>): string[] {
  return parameterSetNames(definition).map((set) => syntaxLine(definition, set));
}

export function syntaxLine(definition: CmdletDefinition<any>, set: string): string {
  const members = Object.entries(definition.parameters).filter(
    ([, declaration]) => !declaration.hidden && belongsToSet(declaration, set),
  );
  const positional = members
    .filter(([, d]) => d.position !== undefined)
    .sort(([, a], [, b]) => (a.position ?? 0) - (b.position ?? 0));
  const named = members.filter(([, d]) => d.position === undefined);
  const parts = [...positional, ...named].map(([name, declaration]) =>
    parameterSyntax(name, declaration, isMandatoryIn(declaration, set)),
  );
  // As PowerShell shows a cmdlet that supports ShouldProcess: [-WhatIf] [-Confirm] last.
  const risk = definition.changes ? ['[-Force]', '[-WhatIf]', '[-Confirm]'] : [];
  return [definition.name, ...parts, ...risk, '[<CommonParameters>]'].join(' ');
}

function parameterSyntax(
  name: string,
  declaration: ParameterDeclaration,
  mandatory: boolean,
): string {
  if (declaration.type === 'switch') return mandatory ? `-${name}` : `[-${name}]`;
  const label = declaration.position === undefined ? `-${name}` : `[-${name}]`;
  const text = `${label} ${valueSyntax(declaration)}`;
  return mandatory ? text : `[${text}]`;
}

/** `<Int32>`, or the choices as `{Ndjson | Json | Csv | Table}`. */
export function valueSyntax(declaration: ParameterDeclaration): string {
  if (declaration.choices) return `{${declaration.choices.join(' | ')}}`;
  return `<${typeNames[declaration.type]}>`;
}
