// Matchers such as toBeInTheDocument() for the type checker; jest loads them in jest-setup.js.
import '@testing-library/jest-dom';
