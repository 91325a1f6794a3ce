/**
 * Help's OUTPUTS section, read from the TypeScript declarations of lib/output-types.ts by the
 * build (module-files.ts), so the properties a cmdlet's help lists are the ones its typed Node
 * function returns: one declaration for both. The TypeScript compiler is a development
 * dependency, loaded only here.
 */
import { join } from 'node:path';
import type { OutputTypeHelp } from './host/module-manifest.js';

export async function outputTypeHelp(
  root: string,
  names: readonly string[],
): Promise<Map<string, OutputTypeHelp>> {
  const ts = (await import('typescript')).default;
  const file = join(root, 'lib', 'output-types.ts');
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: [],
    // The declarations need nothing of the DOM or of newer libraries: the fewer files, the faster.
    lib: ['lib.es5.d.ts'],
    noResolve: false,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  const table =
    moduleSymbol && checker.getExportsOfModule(moduleSymbol).find((s) => s.name === 'OutputTypes');
  if (!table) throw new Error(`${file} does not export the interface OutputTypes.`);
  const byName = checker.getDeclaredTypeOfSymbol(table);
  const docOf = (symbol: import('typescript').Symbol | undefined) =>
    symbol
      ? ts.displayPartsToString(symbol.getDocumentationComment(checker)).replace(/\s+/g, ' ')
      : '';
  const help = new Map<string, OutputTypeHelp>();
  for (const name of new Set(names)) {
    const entry = byName.getProperty(name);
    if (!entry)
      throw new Error(`A cmdlet declares the output type '${name}', which ${file} does not name.`);
    const type = checker.getTypeOfSymbol(entry);
    // `CommandInfo | string`: the object part has the properties.
    const objects = type.isUnion()
      ? type.types.filter((t) => t.flags & ts.TypeFlags.Object)
      : [type];
    const object = objects[0];
    // An intersection (`OfCustomer & Subscription`) is documented by its resource, its last part.
    const parts = object?.isIntersection() ? object.types : object ? [object] : [];
    const resource = parts[parts.length - 1];
    const description = docOf(entry) || docOf(resource?.aliasSymbol ?? resource?.getSymbol());
    const properties = object
      ? checker.getPropertiesOfType(object).map((property) => {
          const optional = (property.flags & ts.SymbolFlags.Optional) !== 0;
          let text = checker.typeToString(
            checker.getTypeOfSymbol(property),
            undefined,
            ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseAliasDefinedOutsideCurrentScope,
          );
          if (optional) text = text.replace(/ \| undefined$/, '');
          const doc = docOf(property);
          return {
            name: property.name,
            type: optional ? `${text} (optional)` : text,
            ...(doc ? { description: doc } : {}),
          };
        })
      : [];
    const openEnded = parts.some((part) => checker.getIndexInfosOfType(part).length > 0);
    help.set(name, { name, description, properties, openEnded });
  }
  return help;
}
