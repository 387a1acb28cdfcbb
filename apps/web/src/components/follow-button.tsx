import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api, type Profile } from '../api/index.js';
import { useAuth } from '../app/auth.js';
import { Icon } from './icon.js';

export function FollowButton({
  profile,
  onChange,
}: {
  profile: Profile;
  onChange: (profile: Profile) => void;
}) {
  const { user } = useAuth();
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);

  async function toggle() {
    if (!user) {
      navigate('/login');
      return;
    }
    setBusy(true);
    try {
      onChange(await (profile.following ? api.unfollow(profile.username) : api.follow(profile.username)));
    } catch {
      // Refused or unreachable: the button keeps showing what the server still holds.
    } finally {
      setBusy(false);
    }
  }

  return (
    <button
      type="button"
      className={`btn btn-sm action-btn ${profile.following ? 'btn-secondary' : 'btn-outline-secondary'}`}
      onClick={toggle}
      disabled={busy}
    >
      <Icon name="plus-round" />
      &nbsp; {profile.following ? 'Unfollow' : 'Follow'} {profile.username}
    </button>
  );
}
