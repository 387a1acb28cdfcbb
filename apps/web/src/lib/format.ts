const dateFormat = new Intl.DateTimeFormat('en-US', { month: 'long', day: 'numeric', year: 'numeric' });

export function formatDate(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : dateFormat.format(date);
}

export const DEFAULT_AVATAR = '/default-avatar.svg';

/** Users without a picture (null or empty) get our default avatar, as the selectors contract demands. */
export function avatarOf(image: string | null | undefined): string {
  return image?.trim() ? image : DEFAULT_AVATAR;
}
