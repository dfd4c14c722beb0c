// Excel (.xlsx) files as the same table the CSV reader gives: the first worksheet, row 1 as header. Cell values
// become text the way a person reads them: numbers without exponent (phone numbers are often stored as
// numbers), dates as YYYY-MM-DD, formulas as their cached result, rich text as its plain text.
import ExcelJS from 'exceljs';
import { CsvError, type CsvTable } from './csv.ts';

function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isInteger(value) ? value.toFixed(0) : String(value);
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((r) => r.text).join('');
    if ('result' in value) return cellText(value.result as ExcelJS.CellValue);
    if ('text' in value) return String(value.text);
    if ('error' in value) return '';
  }
  return String(value);
}

export async function readXlsx(data: Buffer): Promise<CsvTable> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(data as unknown as ArrayBuffer);
  } catch {
    throw new CsvError('the file is not an Excel (.xlsx) workbook', 1);
  }
  const sheet = workbook.worksheets[0];
  if (!sheet || sheet.rowCount === 0) throw new CsvError('the first worksheet is empty', 1);
  const width = sheet.columnCount;
  const rowValues = (row: ExcelJS.Row): string[] => Array.from({ length: width }, (_, i) => cellText(row.getCell(i + 1).value).trim());
  const header = rowValues(sheet.getRow(1));
  while (header.length && header[header.length - 1] === '') header.pop();
  const records: CsvTable['records'] = [];
  sheet.eachRow({ includeEmpty: false }, (row, number) => {
    if (number === 1) return;
    const fields = rowValues(row).slice(0, Math.max(header.length, 1));
    if (fields.some((f) => f !== '')) records.push({ line: number, fields });
  });
  return { header, records };
}
