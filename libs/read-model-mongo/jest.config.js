module.exports = {
  displayName: 'read-model-mongo',
  preset: '../../jest.preset.js',
  rootDir: '.',
};
