// react-inlinesvg fetches SVGs over the network; in tests render a plain placeholder instead.
import React from 'react';

type Props = { src?: string; title?: string; className?: string };

export default function InlineSVG({ src, title, className }: Props) {
  const name = src ? src.split('/').pop() : undefined;
  return <svg className={className} data-testid="inline-svg" aria-label={title} id={name} />;
}
