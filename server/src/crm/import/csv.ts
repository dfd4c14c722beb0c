// CSV (RFC 4180) reading and writing. Reading accepts what spreadsheets export: a UTF-8 BOM, CRLF or LF line
// ends, quoted fields with "" escapes and line breaks inside quotes (RFC 4180 §2.5–2.7); also comma or tab as
// separator (detected from the header line).

export class CsvError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'CsvError';
  }
}

export interface CsvTable {
  header: string[];
  /** Data records; `line` is the line number where each record starts (the header is line 1). */
  records: { line: number; fields: string[] }[];
}

export function parseCsv(text: string): CsvTable {
  const input = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const firstLine = input.slice(0, input.search(/\r?\n|$/));
  const sep = firstLine.split('\t').length > firstLine.split(',').length ? '\t' : ',';
  const out: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let i = 0;
  let quoted = false;
  let atFieldStart = true;
  const n = input.length;
  const endRecord = () => {
    fields.push(field);
    // A blank line is no record.
    if (!(fields.length === 1 && fields[0] === '')) out.push({ line: recordLine, fields });
    fields = [];
    field = '';
    atFieldStart = true;
  };
  while (i < n) {
    const c = input[i]!;
    if (quoted) {
      if (c === '"') {
        if (input[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      if (c === '\n') line++;
      field += c;
      i++;
      continue;
    }
    if (c === '"' && atFieldStart) {
      quoted = true;
      atFieldStart = false;
      i++;
      continue;
    }
    if (c === sep) {
      fields.push(field);
      field = '';
      atFieldStart = true;
      i++;
      continue;
    }
    if (c === '\r' || c === '\n') {
      endRecord();
      i += c === '\r' && input[i + 1] === '\n' ? 2 : 1;
      line++;
      recordLine = line;
      continue;
    }
    field += c;
    atFieldStart = false;
    i++;
  }
  if (quoted) throw new CsvError('a quoted field is not closed', recordLine);
  if (field !== '' || fields.length > 0) endRecord();
  const [head, ...records] = out;
  if (!head) throw new CsvError('the file is empty', 1);
  return { header: head.fields.map((h) => h.trim()), records };
}

/** One CSV field, quoted when it must be (RFC 4180 §2.6), with spreadsheet formula injection defused. */
export function csvField(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? '' : String(value);
  // A cell starting with = + - @ is run as a formula by spreadsheets (CSV injection); a leading ' keeps it text.
  if (/^[=+\-@\t\r]/.test(text) && !/^[+-]?\d[\d\s.;=ext]*$/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvLine = (values: (string | number | null | undefined)[]): string => `${values.map(csvField).join(',')}\r\n`;
