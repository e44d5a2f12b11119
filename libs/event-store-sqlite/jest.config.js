module.exports = {
  displayName: 'event-store-sqlite',
  preset: '../../jest.preset.js',
  rootDir: '.',
};
