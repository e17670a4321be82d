// Reading a class list from CSV for import: one student per row — last name, first name, patronymic, birth
// date (ДД.ММ.ГГГГ or ГГГГ-ММ-ДД), then optionally address, phone, e-mail. Separators ";" or ","; quotes as in
// RFC 4180; a first row of headings is skipped. Each row gets its errors, in Russian, for the preview.

// The text of a file as Russian spreadsheet programs save it: UTF-8 (with or without a BOM), or else
// Windows-1251 (what Excel writes for "CSV (разделители — точки с запятой)"). Returns { text, encoding }.
export function decodeCsv(bytes) {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return { text: text.replace(/^\uFEFF/, ''), encoding: 'UTF-8' };
  } catch {
    return { text: new TextDecoder('windows-1251').decode(bytes), encoding: 'Windows-1251' };
  }
}

// The separator: of ";" and ",", the one found more often outside quotes on the first line that has either
// (";" on a tie, as Russian Excel writes). Blank lines before it and separators inside quoted fields ("ул.
// Мира, д. 5") do not count.
function separatorOf(text) {
  let quoted = false, semi = 0, comma = 0;
  for (const c of text) {
    if (c === '"') quoted = !quoted;
    else if (quoted) continue;
    else if (c === ';') ++semi;
    else if (c === ',') ++comma;
    else if ((c === '\n' || c === '\r') && semi + comma > 0) break;
  }
  return semi >= comma ? ';' : ',';
}

// Splits CSV text into rows, each { line, fields }: `line` is the file's line (from 1) the row starts on —
// blank lines and newlines inside quoted fields counted — so that the preview names the row a curator sees
// in the file. Rows whose fields are all blank are left out; fields are trimmed.
export function parseCsv(text) {
  const sep = separatorOf(text);
  const rows = [];
  let row = [], field = '', quoted = false, line = 1, start = 1;
  const endRow = () => {
    row.push(field);
    field = '';
    if (row.some((f) => f.trim() !== '')) rows.push({ line: start, fields: row.map((f) => f.trim()) });
    row = [];
  };
  for (let i = 0; i < text.length; ++i) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; ++i; }
      else if (c === '"') quoted = false;
      else {
        field += c;
        if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) ++line;
      }
    } else if (c === '"') quoted = true;
    else if (c === sep) { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') ++i;
      endRow();
      start = ++line;
    } else field += c;
  }
  endRow();
  return rows;
}

function isoDate(text) {
  let m = text.match(/^(\d{2})\.(\d{2})\.(\d{4})$/);
  const iso = m ? `${m[3]}-${m[2]}-${m[1]}` : (text.match(/^\d{4}-\d{2}-\d{2}$/) ? text : null);
  if (!iso) return null;
  const d = new Date(iso + 'T12:00:00Z');
  return !isNaN(d) && d.toISOString().slice(0, 10) === iso ? iso : null;
}

const NAME = /^[А-ЯЁа-яёA-Za-z][А-ЯЁа-яёA-Za-z' -]*$/;

// Rows as students to enroll, each {line, data, errors[]}. `line` counts from 1 as in the file.
export function classListFromCsv(text) {
  const rows = parseCsv(text);
  const out = [];
  rows.forEach(({ line, fields }, i) => {
    if (i === 0 && /фамилия/i.test(fields[0] || '')) return;  // headings
    const [last, first, patronymic = '', birth = '', address = '', phone = '', email = ''] = fields;
    const errors = [];
    if (!last) errors.push('нет фамилии'); else if (!NAME.test(last)) errors.push(`фамилия «${last}» — не имя`);
    if (!first) errors.push('нет имени'); else if (!NAME.test(first)) errors.push(`имя «${first}» — не имя`);
    if (patronymic && !NAME.test(patronymic)) errors.push(`отчество «${patronymic}» — не имя`);
    const birth_day = birth ? isoDate(birth) : null;
    if (!birth) errors.push('нет даты рождения');
    else if (!birth_day) errors.push(`дата рождения «${birth}» — не дата (ДД.ММ.ГГГГ)`);
    if (email && !/^[^@\s]+@[^@\s]+$/.test(email)) errors.push(`адрес почты «${email}» неверен`);
    const data = { last_name: last, first_name: first, patronymic, birth_day, address, phone, email };
    out.push({ line, data, errors, warnings: [] });
  });
  // An exact repeat of an earlier row (name and birth date) is not enrolled twice.
  const seen = new Map();
  for (const r of out) {
    const key = [r.data.last_name, r.data.first_name, r.data.patronymic, r.data.birth_day].join('\u0000').toLocaleLowerCase('ru');
    if (seen.has(key)) r.errors.push(`повтор строки ${seen.get(key)}`);
    else seen.set(key, r.line);
  }
  return out;
}
