/**
 * A pipeline run's resume file as the host writes it (lib/host/pipeline-resume-file.ts): a header
 * naming the run, then a record per input object whose output stdout took. Spelled out here rather
 * than written through the host's code, so the specs that plant a file pin its format on disk.
 */
export function pipelineResumeText(
  cmdlet: string,
  parameters: Record<string, unknown>,
  keys: readonly string[],
): string {
  const header = { kind: 'PartnerCenter.PipelineRun.Resume', version: 1, cmdlet, parameters };
  const records = keys.map((key, index) => ({ key, line: index + 1 }));
  return [header, ...records].map((line) => `${JSON.stringify(line)}\n`).join('');
}
