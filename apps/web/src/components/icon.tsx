import type { KeyboardEvent } from 'react';

const paths = {
  heart:
    'M12 21s-7.4-4.5-9.5-9.1C1 8.4 3.1 4.5 6.7 4.5c2.1 0 3.7 1.2 5.3 3.1 1.6-1.9 3.2-3.1 5.3-3.1 3.6 0 5.7 3.9 4.2 7.4C19.4 16.5 12 21 12 21z',
  compose:
    'M3 17.2V21h3.8L17.9 9.9l-3.8-3.8L3 17.2zM20.7 7.1a1 1 0 0 0 0-1.4l-2.4-2.4a1 1 0 0 0-1.4 0l-1.8 1.8 3.8 3.8 1.8-1.8z',
  edit: 'M3 17.2V21h3.8L17.9 9.9l-3.8-3.8L3 17.2zM20.7 7.1a1 1 0 0 0 0-1.4l-2.4-2.4a1 1 0 0 0-1.4 0l-1.8 1.8 3.8 3.8 1.8-1.8z',
  'plus-round': 'M10.5 3h3v7.5H21v3h-7.5V21h-3v-7.5H3v-3h7.5z',
  'trash-a': 'M9 2h6l1 2h4v2.5H4V4h4l1-2zM5.5 8h13l-1 14h-11l-1-14zm4 2.5v9h1.5v-9H9.5zm3.5 0v9h1.5v-9H13z',
  'close-round':
    'M6.3 4.2 12 9.9l5.7-5.7 2.1 2.1-5.7 5.7 5.7 5.7-2.1 2.1-5.7-5.7-5.7 5.7-2.1-2.1 5.7-5.7-5.7-5.7z',
} as const;

export type IconName = keyof typeof paths | 'gear-a';

/**
 * Our own SVG icons, wrapped in the Ionicons v2 class names the templates and e2e selectors use.
 * With `onActivate` the icon itself is the control (the contract clicks `i.ion-trash-a`), so it also
 * answers Enter and Space and carries a label for screen readers.
 */
export function Icon({
  name,
  onActivate,
  label,
}: {
  name: IconName;
  onActivate?: () => void;
  label?: string;
}) {
  const control = onActivate
    ? {
        role: 'button',
        tabIndex: 0,
        'aria-label': label,
        onClick: onActivate,
        onKeyDown: (event: KeyboardEvent) => {
          if (event.key === 'Enter' || event.key === ' ') {
            event.preventDefault();
            onActivate();
          }
        },
      }
    : { 'aria-hidden': true };
  return (
    <i className={`ion-${name}`} {...control}>
      <svg
        viewBox="0 0 24 24"
        width="1em"
        height="1em"
        fill="currentColor"
        focusable="false"
        aria-hidden="true"
      >
        {name === 'gear-a' ? (
          <>
            <circle
              cx="12"
              cy="12"
              r="8"
              fill="none"
              stroke="currentColor"
              strokeWidth="3.4"
              strokeDasharray="3.14 3.14"
            />
            <circle cx="12" cy="12" r="5.6" fill="none" stroke="currentColor" strokeWidth="2.6" />
          </>
        ) : (
          <path d={paths[name]} />
        )}
      </svg>
    </i>
  );
}
