"""The notices: templates rendered into each notice's Markdown, in every language (catalogs), and the site's pages."""
