// Static assets imported from TypeScript resolve to URLs emitted by webpack.
declare module '*.svg' {
  const url: string;
  export default url;
}
declare module '*.png' {
  const url: string;
  export default url;
}
