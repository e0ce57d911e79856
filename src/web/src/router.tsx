/**
 * A small history router: the path picks the page, the query string holds the filters
 * (period, partner type, program, model), so a URL can be shared and reloaded.
 */
import { useEffect, useState, type MouseEvent, type ReactNode } from 'react';

function current(): { path: string; search: URLSearchParams } {
  return { path: window.location.pathname, search: new URLSearchParams(window.location.search) };
}

const listeners = new Set<() => void>();

export function navigate(to: string, replace = false): void {
  if (replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  listeners.forEach((l) => l());
}

export function useLocation(): { path: string; search: URLSearchParams } {
  const [loc, setLoc] = useState(current);
  useEffect(() => {
    const update = () => setLoc(current());
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return loc;
}

/** The filter keys kept in the URL across pages. */
export const FILTER_KEYS = ['from', 'to', 'model', 'partnerType', 'program', 'grain'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

/** The current URL's filter part, to carry into links. */
export function filterQuery(search: URLSearchParams): string {
  const keep = new URLSearchParams();
  for (const k of FILTER_KEYS) {
    const v = search.get(k);
    if (v) keep.set(k, v);
  }
  const s = keep.toString();
  return s ? `?${s}` : '';
}

export function setFilter(key: FilterKey, value: string | null): void {
  const search = new URLSearchParams(window.location.search);
  if (value) search.set(key, value);
  else search.delete(key);
  const s = search.toString();
  navigate(`${window.location.pathname}${s ? `?${s}` : ''}`, true);
}

export function Link(props: { to: string; children: ReactNode; className?: string; 'aria-label'?: string; keepFilters?: boolean }) {
  const href = props.keepFilters === false ? props.to : props.to + filterQuery(new URLSearchParams(window.location.search));
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    navigate(href);
  };
  return (
    <a href={href} onClick={onClick} className={props.className} aria-label={props['aria-label']}>
      {props.children}
    </a>
  );
}
