/**
 * Help's OUTPUTS section: the output type a cmdlet declares, with the description and properties
 * the build read from its TypeScript declaration (manifest.json), then the cmdlet's own remarks.
 * The Node API returns the same type, so help and the typed functions cannot disagree.
 */
import type { CmdletDefinition } from '../../cmdlet-support/cmdlet.js';
import { findManifestCmdlet, type OutputTypeHelp } from '../module-manifest.js';
import { wrap } from './text-layout.js';

const tab = '    ';

export function outputsSection(
  definition: CmdletDefinition<any>,
  width: number,
  full: boolean,
): string {
  const type = outputTypeOf(definition);
  const remarks = definition.outputs && wrap(definition.outputs, width, tab);
  if (!type)
    return (
      remarks || wrap('Objects, written as NDJSON by default (see -OutputFormat).', width, tab)
    );
  const lines = [`${tab}${type.name}`];
  if (type.description) lines.push(wrap(type.description, width, tab + tab));
  if (definition.outputs) lines.push(wrap(definition.outputs, width, tab + tab));
  if (type.properties.length > 0) {
    lines.push('');
    if (full) {
      for (const property of type.properties) {
        lines.push(wrap(`${property.name}: ${property.type}`, width, tab + tab, tab + tab + tab));
        if (property.description) lines.push(wrap(property.description, width, tab + tab + tab));
      }
    } else {
      const names = type.properties.map((property) => property.name).join(', ');
      lines.push(wrap(`Properties: ${names}.`, width, tab + tab));
    }
  }
  if (type.openEnded)
    lines.push(wrap('Properties the service adds are kept as they come.', width, tab + tab));
  lines.push(
    wrap(`From Node: each object is typed CmdletOutput<'${definition.name}'>.`, width, tab + tab),
  );
  return lines.join('\n');
}

function outputTypeOf(definition: CmdletDefinition<any>): OutputTypeHelp | undefined {
  if (!definition.outputType) return undefined;
  try {
    return findManifestCmdlet(definition.name)?.outputType;
  } catch {
    // No readable manifest (a definition help is rendered for in a spec): the remarks only.
    return undefined;
  }
}
