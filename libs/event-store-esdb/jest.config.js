module.exports = {
  displayName: 'event-store-esdb',
  preset: '../../jest.preset.js',
  rootDir: '.',
};
