/** The Kefu mark: a headset in a rounded square. */
export function Logo(props: { size?: number }) {
  const size = props.size ?? 32;
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true">
      <rect width="32" height="32" rx="8" fill="#1554ad" />
      <path
        d="M9 18v-2.5a7 7 0 0 1 14 0V18"
        fill="none"
        stroke="#fff"
        strokeWidth="2.2"
        strokeLinecap="round"
      />
      <rect x="7" y="17" width="4.5" height="6.5" rx="1.6" fill="#fff" />
      <rect x="20.5" y="17" width="4.5" height="6.5" rx="1.6" fill="#fff" />
      <path d="M23 23.5c0 2-2 3-5 3" fill="none" stroke="#7fb2ff" strokeWidth="1.8" strokeLinecap="round" />
    </svg>
  );
}
