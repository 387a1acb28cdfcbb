import type { SyntheticEvent } from 'react';
import { avatarOf, DEFAULT_AVATAR } from '../lib/format.js';

/** An image that does not load (gone, blocked, not an image) shows the default avatar instead, once. */
function fallBack(event: SyntheticEvent<HTMLImageElement>): void {
  const img = event.currentTarget;
  if (img.dataset.fallback) return;
  img.dataset.fallback = 'true';
  img.src = DEFAULT_AVATAR;
}

export function Avatar({
  image,
  username,
  className,
  size,
}: {
  image: string | null | undefined;
  username: string;
  className?: string;
  size: number;
}) {
  return (
    <img
      src={avatarOf(image)}
      alt={username}
      className={className}
      width={size}
      height={size}
      loading="lazy"
      decoding="async"
      referrerPolicy="no-referrer"
      onError={fallBack}
    />
  );
}
