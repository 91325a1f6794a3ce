/**
 * The environment a program the user chose (a pager, a browser) runs with: theirs, less the
 * module's own PARTNERCENTER_* variables, among which a client secret may be. Such a program
 * needs the terminal's and the desktop's settings, never the module's.
 */
export function userEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const result: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env))
    if (!name.startsWith('PARTNERCENTER_')) result[name] = value;
  return result;
}
