// tradestack dashboard, number and time formatting: the rules of tradestack/display/format.py
// (tests/unit/display runs both over the same cases).
export const DASH = "–";

const toNumber = (value) => {
  if (value === null || value === undefined || value === "") return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
};

export function fixed(value, places, sign = false) {
  const n = toNumber(value);
  if (n === null) return DASH;
  let text = n.toLocaleString("en-US", { minimumFractionDigits: places, maximumFractionDigits: places });
  if (/^-0(\.0+)?$/.test(text)) text = text.slice(1);
  return sign && Number(text.replace(/,/g, "")) > 0 ? `+${text}` : text;
}
export const money = (value, sign = false) => fixed(value, 2, sign);
export function percent(value, sign = false) {
  const text = fixed(value, 2, sign);
  return text === DASH ? text : `${text} %`;
}
export function pricePlaces(value) {
  const n = toNumber(value);
  if (n === null) return 2;
  const size = Math.abs(n);
  return size >= 1000 ? 2 : size >= 1 ? 4 : 8;
}
export const price = (value, precision = null) => fixed(value, precision ?? pricePlaces(value));
export function quantity(value, precision = null) {
  const text = fixed(value, precision ?? 8);
  if (text === DASH || !text.includes(".")) return text;
  return text.replace(/0+$/, "").replace(/\.$/, "");
}
const UNITS = [["d", 86400], ["h", 3600], ["min", 60], ["s", 1]];
export function duration(seconds) {
  const total = toNumber(seconds);
  if (total === null) return DASH;
  let left = Math.round(Math.abs(total));
  const parts = [];
  for (const [unit, size] of UNITS) {
    const count = Math.floor(left / size);
    left -= count * size;
    if (count || parts.length) parts.push(`${count} ${unit}`);
    if (parts.length === 2) break;
  }
  const kept = parts.filter((p) => !p.startsWith("0 "));
  return (total < 0 ? "-" : "") + (kept.length ? kept.join(" ") : "0 s");
}
const TF = { m: 60, h: 3600, d: 86400, w: 604800 };
export function timeframe(label) {
  const match = /^(\d+)([mhdw])$/.exec(String(label).trim().toLowerCase());
  if (!match) return String(label);
  const seconds = Number(match[1]) * TF[match[2]];
  for (const [unit, size] of [["w", 604800], ["d", 86400], ["h", 3600], ["min", 60]]) {
    if (seconds % size === 0) return `${seconds / size} ${unit}`;
  }
  return `${seconds} s`;
}
export function timestamp(iso) {
  if (!iso) return DASH;
  return new Date(iso).toISOString().replace("T", " ").slice(0, 19);
}
