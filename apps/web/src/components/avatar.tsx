import { avatarOf } from '../lib/format.js';

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
    />
  );
}
