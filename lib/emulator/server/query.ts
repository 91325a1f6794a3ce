/**
 * The query string of a request, as the real services read it: parameter names are not
 * case-sensitive (Microsoft's own examples write `seekoperation=next` where others write
 * `seekOperation=Next`, `Size=` where others write `size=`). Every route reads its query through
 * this one parser, so routes added later inherit the rule. Values are left as sent.
 */
export class Query {
  private readonly values = new Map<string, string[]>();

  constructor(params: URLSearchParams) {
    for (const [name, value] of params) {
      const key = name.toLowerCase();
      const values = this.values.get(key);
      if (values) values.push(value);
      else this.values.set(key, [value]);
    }
  }

  /** The value of a parameter, its name in any case; null when absent. */
  get(name: string): string | null {
    // The first occurrence wins, as URLSearchParams.get does.
    return this.values.get(name.toLowerCase())?.[0] ?? null;
  }

  /** Every value of a repeated parameter, in order, whatever the case of each occurrence's name. */
  getAll(name: string): string[] {
    return this.values.get(name.toLowerCase()) ?? [];
  }

  has(name: string): boolean {
    return this.values.has(name.toLowerCase());
  }
}
