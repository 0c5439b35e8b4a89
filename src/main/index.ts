// The Electron shell's entry. Everything it runs lives in ./electron; the core never imports electron.
import './electron/main.js';
