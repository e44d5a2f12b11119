module.exports = {
  displayName: 'read-model-embedded',
  preset: '../../jest.preset.js',
  rootDir: '.',
};
