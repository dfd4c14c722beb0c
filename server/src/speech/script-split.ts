// Splits a prompt that mixes Chinese and English ("欢迎致电Kefu演示中心") into runs of one script, so each run is
// spoken by a voice that can read it. Digits, spaces and punctuation stay with the run they are in.
export interface ScriptRun {
  script: 'han' | 'latin';
  text: string;
}

const HAN = /[\p{Script=Han}\u3000-\u303f\uff00-\uffef]/u;
const LATIN = /\p{Script=Latin}/u;

export function splitByScript(text: string): ScriptRun[] {
  const runs: ScriptRun[] = [];
  let pending = '';
  for (const ch of text) {
    const script = HAN.test(ch) ? 'han' : LATIN.test(ch) ? 'latin' : undefined;
    const last = runs.at(-1);
    if (!script) {
      if (last) last.text += ch;
      else pending += ch;
      continue;
    }
    if (last && last.script === script) last.text += ch;
    else runs.push({ script, text: (runs.length ? '' : pending) + ch });
  }
  if (!runs.length && pending.trim()) runs.push({ script: 'latin', text: pending });
  return runs.map((r) => ({ ...r, text: r.text.trim() })).filter((r) => r.text && /[\p{L}\p{N}]/u.test(r.text));
}
