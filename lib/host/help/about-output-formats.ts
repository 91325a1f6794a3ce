/**
 * about_OutputFormats: what a command prints, for programs and for people, and how a table fits a
 * terminal. The rules it states are those of lib/host/run.ts (the default format),
 * lib/host/output/table-layout.ts (the fit), lib/common/text-width.ts (widths) and
 * lib/host/output/csv-writer.ts (Csv), each in one place.
 */
import { titledSections } from './text-layout.js';

export const aboutOutputFormats = {
  name: 'about_OutputFormats',
  synopsis:
    'What a command prints: NDJSON for programs, a table or a list for people ' +
    'on a terminal, Json, and Csv that spreadsheets open safely.',
  body: (width: number) =>
    titledSections(
      [
        'What a command prints by default',
        'When stdout is not a terminal (a pipe, a file, a runbook, a program that ' +
          'started the command), every command writes NDJSON, one JSON object per ' +
          'line, whatever was saved: what a script reads never depends on where it ' +
          'runs. On a terminal, without -OutputFormat, a command prints for the ' +
          'person reading it, as gh and PowerShell do: a command that writes one ' +
          'object (Connect-Partner, Get-PartnerContext, Select-PartnerContext, ' +
          'Set-PartnerContext, Get-Command with one name, Start-PartnerEmulator) ' +
          'or objects with many long properties (Get-PartnerEnvironment) shows a ' +
          'List; every other command shows a Table. A format saved for the ' +
          'terminal (Set-PartnerContext -DefaultOutputFormat, or ' +
          'PARTNERCENTER_OUTPUT_FORMAT for one shell) replaces that choice, and ' +
          '-OutputFormat always wins: "-OutputFormat Ndjson" shows on a terminal ' +
          'exactly what a pipe gets.',
        '',
        'The formats',
        'Ndjson: one JSON object per line, as Partner Center sent it (see ' +
          'about_Pipelines). Json: one array. Csv: RFC 4180 (below). Table: the ' +
          "command's view, one row per object (below). List: every property of " +
          'each object as "name : value" lines (dotted names for nested ones, as ' +
          '-Property takes them), a blank line between objects; a long value is ' +
          'left whole for the terminal to wrap, so it is still copied in one ' +
          'piece. -Property chooses the properties of every format.',
        '',
        'How a table fits the terminal',
        "Each command's view declares what its columns hold: ids (customer, " +
          'subscription and tenant ids, domains, user names), free text (company, ' +
          'offer and product names), dates, and short values (statuses, counts, ' +
          'flags). The first rows fix the layout: ids and short values get their ' +
          'widest cell, text the room that is left; an id is never cut, because ' +
          'it is copied. When the terminal is too narrow, whole columns of lesser ' +
          'importance are left out first, in the order the view declares, before ' +
          'any text is cut below its declared width (a company or offer name keeps ' +
          'at least 24 to 30 columns where it can); only when nothing is left to ' +
          'leave out is text cut further, ending in "…", then short values. A line ' +
          'never holds half a character: cuts fall between graphemes. Where even ' +
          'then the ids and short values do not fit (a GDAP relationship id alone ' +
          'is 73 characters), a table shown by default becomes a list of the ' +
          "view's columns, one block per object; -OutputFormat Table keeps the " +
          'table.',
        'At 120 columns: Get-PartnerCustomerGdapStatus shows CustomerId, ' +
          'CompanyName, Status, ExpiresOn and GlobalAdmin, leaving out ' +
          'RelationshipIds, then AutoExtends, then Active; ' +
          'Get-PartnerCustomerSubscription shows every column, the offer name ' +
          'whole; Get-PartnerContext -ListAvailable every column, ids whole.',
        'At 80 columns: the GDAP status keeps CustomerId, CompanyName and Status ' +
          '(GlobalAdmin, then ExpiresOn go next); subscriptions keep ' +
          'SubscriptionId, Offer, Qty (quantity) and Status (EndDate, then AutoRenew go ' +
          'first); customers keep CustomerId and Name (Relationship, then Domain ' +
          'go first); contexts keep Name, Environment and Tenant (TokenExpiresOn, ' +
          'then Account go first). For every column, use -OutputFormat List, ' +
          'Csv or -Property.',
        'Rows that belong to one customer (subscriptions, users, SKUs, licenses, ' +
          'GDAP relationships) are grouped under a "CustomerId: <id>" line instead ' +
          "of repeating the id in a column, as PowerShell's Format-Table -GroupBy " +
          'does; access assignments under their relationship. A date is shown as ' +
          'the date when it is midnight UTC (how the service writes a date), else ' +
          'as the date and the UTC time to the minute ("2028-07-19 07:20Z"); Csv ' +
          'and Ndjson keep the exact time. Control characters in the data are ' +
          'shown as spaces, so a name cannot drive the terminal.',
        '',
        'Widths in every script',
        'Columns are measured in terminal cells, by grapheme (what a reader sees ' +
          'as one character): Chinese, Japanese and Korean characters and emoji ' +
          '(☕, a flag, a skin-toned hand, a family joined by zero-width joiners) ' +
          'take two cells; Thai and Devanagari marks that sit on a letter, and ' +
          'zero-width characters, take none; ambiguous characters take one, as ' +
          'terminals outside East Asian locales draw them. Widths follow the ' +
          'Unicode East Asian Width and emoji data (UAX #11, UTS #51) and the ' +
          'grapheme rules of UAX #29. Tables are drawn by the table package, ' +
          'measuring with these widths rather than its own, which counts Thai ' +
          'and Devanagari marks as cells and ☕ as one.',
        '',
        'Csv for spreadsheets',
        "RFC 4180: a header row (the view's column names, or the -Property " +
          'paths), CRLF line ends, a field quoted when it holds a comma, quote or ' +
          'line break. A company name is chosen by the customer, and a spreadsheet ' +
          'runs a cell that starts with =, +, -, @, a tab or a carriage return as ' +
          'a formula (CSV injection). As the OWASP guidance on CSV injection ' +
          'advises, such a text is written with a single quote before it, inside ' +
          'double quotes: the cell shows the text after that quote and runs ' +
          'nothing. Numbers stay numbers: a JSON number, or a text ' +
          'that is only a decimal number such as -5 or +1.5, cannot be a formula ' +
          'and is written as it is.',
        'Excel reads a CSV file without a byte-order mark in the local code ' +
          'page, which garbles names in other scripts. -Encoding utf8BOM starts ' +
          'the Csv output with a UTF-8 byte-order mark (Export-Csv -Encoding ' +
          'utf8BOM in PowerShell 7); the default, utf8, writes none, as Unix tools ' +
          'expect. JSON forbids the mark, so -Encoding utf8BOM is refused with ' +
          'any other format (exit code 2).',
        'Appended (>>) to a file that is not empty, as a run continued with ' +
          '-ResumeFile or -ContinuationToken is, Csv writes neither the header nor ' +
          "the mark again: the rows go on under the file's header, as Export-Csv " +
          '-Append does. The command a stop line gives repeats -OutputFormat and ' +
          '-Property, so the rest comes in the same shape. Json is one array, ' +
          'which no later run can add to: with -ResumeFile it is refused (exit ' +
          'code 2); use Ndjson or Csv.',
      ],
      width,
      '    ',
    ),
};
