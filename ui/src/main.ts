import { initTheme } from './components/theme/theme';
import './styles/global.css';
import './components/app/tl-app';

// Lit renders in a microtask after the module graph has run, so a stored theme is on <html> before the first paint of any element.
initTheme();
