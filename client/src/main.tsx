/** Concord in the browser: the stylesheets and the shell, rendered into #app. */
import 'prosemirror-view/style/prosemirror.css';
import './styles.css';
import { render } from 'preact';
import { App } from './app/App.js';

const root = document.getElementById('app');
if (root) render(<App />, root);
