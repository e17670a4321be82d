// The class-list importer (web/js/csv.js), which runs in the curator's browser and which libFuzzer cannot
// reach: random bytes of every kind never make it throw, and a list written with quotes, separators,
// newlines inside fields, CRLF and blank lines reads back field for field, each row named by the line of the
// file it starts on. Seeded, so a failure repeats; node only (no browser).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeCsv, parseCsv, classListFromCsv } from '../../web/js/csv.js';

// A small seeded generator (xorshift32), so that every run tries the same inputs.
function rng(seed) {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x % n;
  };
}

const ROUNDS = Number(process.env.EJ_CSV_ROUNDS || 3000);

test('random bytes — UTF-8, Windows-1251, broken sequences, quotes, separators — never make the importer throw', () => {
  const r = rng(7);
  const alphabet = [0x22, 0x3b, 0x2c, 0x0a, 0x0d, 0x20, 0xef, 0xbb, 0xbf, 0xd0, 0xd1, 0xc0, 0xff, 0x00, 0x41, 0x31, 0x2e, 0x40];
  for (let i = 0; i < ROUNDS; ++i) {
    const bytes = new Uint8Array(r(200));
    for (let k = 0; k < bytes.length; ++k) bytes[k] = r(3) === 0 ? r(256) : alphabet[r(alphabet.length)];
    const { text, encoding } = decodeCsv(bytes);
    assert.ok(encoding === 'UTF-8' || encoding === 'Windows-1251');
    const rows = classListFromCsv(text);
    let last = 0;
    for (const row of rows) {
      assert.ok(Number.isInteger(row.line) && row.line > last, `lines increase: ${row.line} after ${last}`);
      last = row.line;
      assert.ok(Array.isArray(row.errors) && row.data && typeof row.data.last_name === 'string');
    }
  }
});

test('a list with quoted separators, quotes, newlines in fields, CRLF and blank lines reads back exactly, each row at its own line', () => {
  const r = rng(11);
  const pieces = ['Иванов', 'Анна', 'Ёлкина', '12.03.2014', 'ул. Мира, д. 5', '"цитата"', 'a;b', 'две\nстроки', ' ', 'x@y.ru', '', 'O\'Neil'];
  for (let i = 0; i < ROUNDS / 10; ++i) {
    const sep = r(2) ? ';' : ',';
    const eol = r(2) ? '\r\n' : '\n';
    const rows = [];
    let text = '';
    let line = 1;
    const count = 1 + r(8);
    for (let k = 0; k < count; ++k) {
      while (r(4) === 0) { text += eol; ++line; }  // blank lines between rows
      // A first field that is never blank (a row of blanks is not a row).
      const fields = ['Ученик' + k, ...Array.from({ length: r(6) }, () => pieces[r(pieces.length)])];
      rows.push({ line, fields: fields.map((f) => f.trim()) });
      text += fields.map((f) => (/[";,\n\r]/.test(f) || r(3) === 0 ? `"${f.replaceAll('"', '""')}"` : f)).join(sep) + eol;
      line += 1 + fields.reduce((n, f) => n + (f.match(/\n/g) || []).length, 0);
    }
    const parsed = parseCsv(text);
    assert.deepEqual(parsed.map((p) => p.fields), rows.map((x) => x.fields), JSON.stringify(text));
    assert.deepEqual(parsed.map((p) => p.line), rows.map((x) => x.line), `line numbers in ${JSON.stringify(text)}`);
    assert.deepEqual(classListFromCsv(text).map((x) => x.line), rows.map((x) => x.line));
  }
});
