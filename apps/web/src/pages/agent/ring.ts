// The offer's ring: two short tones from WebAudio (no sound file to ship), and a desktop notification when the
// page is in the background and the agent allowed them. Browsers may refuse both until the agent has clicked once.
let context: AudioContext | null = null;

export function ring(): void {
  try {
    context ??= new AudioContext();
    const now = context.currentTime;
    for (const [at, hz] of [[0, 880], [0.25, 660]] as const) {
      const osc = context.createOscillator();
      const gain = context.createGain();
      osc.frequency.value = hz;
      gain.gain.setValueAtTime(0.15, now + at);
      gain.gain.exponentialRampToValueAtTime(0.001, now + at + 0.2);
      osc.connect(gain).connect(context.destination);
      osc.start(now + at);
      osc.stop(now + at + 0.2);
    }
  } catch {
    // no audio output: the offer card is still on screen
  }
}

export function notify(title: string, body: string): void {
  if (typeof Notification === 'undefined' || !document.hidden) return;
  if (Notification.permission === 'granted') new Notification(title, { body });
  else if (Notification.permission === 'default') void Notification.requestPermission();
}
