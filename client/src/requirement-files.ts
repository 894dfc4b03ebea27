/**
 * The requirement files the language server reports on (the server's `projectFilePatterns`,
 * without setup.py, which is a Python document already). Written out here so that the extension
 * does not bundle the server's readers; a unit test keeps the two lists equal.
 */
export const requirementFilePatterns = ['requirements*.txt', 'pyproject.toml', 'setup.cfg', 'Pipfile', 'environment.yml', 'environment.yaml'];
