import { type FormEvent, type KeyboardEvent, useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { api, describeError } from '../../api/index.js';
import { ErrorList } from '../../components/error-list.js';
import { Icon } from '../../components/icon.js';
import { addTag } from './tags.js';

interface Draft {
  title: string;
  description: string;
  body: string;
  tagList: string[];
}

const emptyDraft: Draft = { title: '', description: '', body: '', tagList: [] };

/** One editor per article (keyed by slug): switching from editing to a new article starts blank. */
export default function EditorRoute() {
  const { slug } = useParams();
  return <EditorPage key={slug ?? ''} slug={slug} />;
}

function EditorPage({ slug }: { slug: string | undefined }) {
  const navigate = useNavigate();
  const [draft, setDraft] = useState<Draft>(emptyDraft);
  const [tagInput, setTagInput] = useState('');
  const [errors, setErrors] = useState<string[]>([]);
  // Editing: the form stays disabled until the article has loaded.
  const [busy, setBusy] = useState(Boolean(slug));

  // Only an existing article is loaded; a new one starts from the blank draft, so nothing typed is reset.
  useEffect(() => {
    if (!slug) return;
    let current = true;
    api.article(slug).then(
      (article) => {
        if (!current) return;
        const { title, description, body, tagList } = article;
        setDraft({ title, description, body, tagList });
        setBusy(false);
      },
      (error: unknown) => {
        if (!current) return;
        setErrors(describeError(error));
        setBusy(false);
      },
    );
    return () => {
      current = false;
    };
  }, [slug]);

  const set = (field: Exclude<keyof Draft, 'tagList'>) => (event: { target: { value: string } }) =>
    setDraft((previous) => ({ ...previous, [field]: event.target.value }));

  function onTagKey(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key !== 'Enter' && event.key !== ',') return;
    // Enter adds a tag; it must not submit the article half-written.
    event.preventDefault();
    setDraft((previous) => ({ ...previous, tagList: addTag(previous.tagList, tagInput) }));
    setTagInput('');
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const tagList = addTag(draft.tagList, tagInput);
    setBusy(true);
    setErrors([]);
    try {
      const article = slug
        ? await api.updateArticle(slug, { ...draft, tagList })
        : await api.createArticle({ ...draft, tagList });
      navigate(`/article/${encodeURIComponent(article.slug)}`);
    } catch (error) {
      setErrors(describeError(error));
      setBusy(false);
    }
  }

  return (
    <div className="editor-page">
      <div className="container page">
        <div className="row">
          <div className="col-md-10 offset-md-1 col-xs-12">
            <ErrorList errors={errors} />
            <form onSubmit={submit}>
              <fieldset disabled={busy}>
                <fieldset className="form-group">
                  <input
                    type="text"
                    className="form-control form-control-lg"
                    name="title"
                    placeholder="Article Title"
                    aria-label="Article Title"
                    value={draft.title}
                    onChange={set('title')}
                  />
                </fieldset>
                <fieldset className="form-group">
                  <input
                    type="text"
                    className="form-control"
                    name="description"
                    placeholder="What's this article about?"
                    aria-label="What's this article about?"
                    value={draft.description}
                    onChange={set('description')}
                  />
                </fieldset>
                <fieldset className="form-group">
                  <textarea
                    className="form-control"
                    rows={8}
                    name="body"
                    placeholder="Write your article (in markdown)"
                    aria-label="Write your article (in markdown)"
                    value={draft.body}
                    onChange={set('body')}
                  />
                </fieldset>
                <fieldset className="form-group">
                  <input
                    type="text"
                    className="form-control"
                    placeholder="Enter tags"
                    aria-label="Enter tags"
                    value={tagInput}
                    onChange={(event) => setTagInput(event.target.value)}
                    onKeyDown={onTagKey}
                  />
                  <div className="tag-list">
                    {draft.tagList.map((tag) => (
                      <span key={tag} className="tag-default tag-pill">
                        <Icon
                          name="close-round"
                          label={`Remove tag ${tag}`}
                          onActivate={() =>
                            setDraft((previous) => ({
                              ...previous,
                              tagList: previous.tagList.filter((item) => item !== tag),
                            }))
                          }
                        />
                        {tag}
                      </span>
                    ))}
                  </div>
                </fieldset>
                <button className="btn btn-lg pull-xs-right btn-primary" type="submit">
                  Publish Article
                </button>
              </fieldset>
            </form>
          </div>
        </div>
      </div>
    </div>
  );
}
